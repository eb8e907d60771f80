# bash completion for famtrace(8): subcommands, options, and the values of
# --expect, --prefer and -p. Installed by `make install` into
# share/bash-completion/completions/famtrace.
_famtrace() {
	local cur prev words
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	case $prev in
	--expect) mapfile -t COMPREPLY < <(compgen -W "ipv4 ipv6 all" -- "$cur"); return ;;
	--prefer) mapfile -t COMPREPLY < <(compgen -W "ipv4 ipv6 any" -- "$cur"); return ;;
	-p | --pid) mapfile -t COMPREPLY < <(compgen -W "$(ls /proc | grep -E '^[0-9]+$')" -- "$cur"); return ;;
	-o | --output | --metrics | --libc | --exim | --sendmail | --gai-conf | --maillog) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
	--postfix | --journal-dir) mapfile -t COMPREPLY < <(compgen -d -- "$cur"); return ;;
	-c | --comm | --port | -i | --interval | -d | --duration | --group-gap | --rotate | --keep | \
		--metrics-interval | --since | --until | --buffer-size | --map-entries | --max-lost | \
		--queue-id | --domain | --recipient | --dns-port)
		return ;;
	esac
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "--all --pid --comm --port --json --timestamps \
			--interval --verbose --output --rotate --keep --metrics --metrics-interval --since \
			--until --postfix --exim --sendmail --expect --prefer --max-lost --duration --group-gap --gai-conf --dns-port --maillog --journal --journal-dir --queue-id --domain --recipient --libc \
			--no-resolver --no-dns-wire --no-fexit --buffer-size --map-entries --debug --help --version" -- "$cur")
		return
	fi
	if [ "$COMP_CWORD" = 1 ]; then
		mapfile -t COMPREPLY < <(compgen -W "run record report check help" -- "$cur")
	elif [ "${COMP_WORDS[1]}" = report ]; then
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	fi
}
complete -F _famtrace famtrace
