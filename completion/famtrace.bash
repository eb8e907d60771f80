# bash completion for famtrace(8): subcommands; each subcommand's own
# options, as `famtrace help SUB` lists them (so this file never lists
# options and cannot fall behind the program); the values of --expect,
# --prefer and -p; files and directories where an option takes them; after
# `--`, the command and its own completion. Installed by `make install`
# into share/bash-completion/completions/famtrace.
_famtrace_options() {
	# $1: famtrace as typed, $2: live, run, record, report or check
	"$1" help "$2" 2>/dev/null | sed -n 's/^ *\(-[a-zA-Z], \)\{0,1\}\(--[a-z][a-z-]*\).*/\2/p'
}

_famtrace() {
	local cur prev sub=live i
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	# The subcommand, and a `--` before the word: then it is CMD's.
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		run | record | report | check | help) [ $sub = live ] && sub=${COMP_WORDS[i]} ;;
		--)
			if [ $sub = run ] || [ $sub = check ]; then
				if declare -F _command_offset >/dev/null; then
					_command_offset $((i + 1)) # bash-completion: CMD's own completion
				elif [ $((i + 1)) = "$COMP_CWORD" ]; then
					mapfile -t COMPREPLY < <(compgen -c -- "$cur")
				else
					mapfile -t COMPREPLY < <(compgen -f -- "$cur")
				fi
				return
			fi
			;;
		esac
	done
	case $prev in
	--expect) mapfile -t COMPREPLY < <(compgen -W "ipv4 ipv6 all" -- "$cur"); return ;;
	--prefer) mapfile -t COMPREPLY < <(compgen -W "ipv4 ipv6 any" -- "$cur"); return ;;
	-p | --pid) mapfile -t COMPREPLY < <(compgen -W "$(ls /proc | grep -E '^[0-9]+$')" -- "$cur"); return ;;
	-o | --output | --metrics | --libc | --exim | --sendmail | --opensmtpd | --gai-conf | --maillog) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
	--postfix | --journal-dir) mapfile -t COMPREPLY < <(compgen -d -- "$cur"); return ;;
	-c | --comm | --port | -i | --interval | -d | --duration | --group-gap | --rotate | --keep | \
		--metrics-interval | --since | --until | --buffer-size | --map-entries | --max-lost | \
		--queue-id | --domain | --recipient | --dns-port | --unit)
		return ;;
	--container)
		mapfile -t COMPREPLY < <(compgen -W "$(podman ps --format '{{.Names}}' 2>/dev/null; docker ps --format '{{.Names}}' 2>/dev/null)" -- "$cur")
		return ;;
	esac
	if [ $sub = help ]; then
		[ "$COMP_CWORD" = 2 ] && mapfile -t COMPREPLY < <(compgen -W "live run record report check" -- "$cur")
		return
	fi
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_famtrace_options "${COMP_WORDS[0]}" $sub)" -- "$cur")
		return
	fi
	if [ "$COMP_CWORD" = 1 ]; then
		mapfile -t COMPREPLY < <(compgen -W "run record report check help" -- "$cur")
	elif [ $sub = report ]; then
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	fi
}
complete -F _famtrace famtrace
