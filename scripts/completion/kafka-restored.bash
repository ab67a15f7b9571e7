# Bash completion for kafka-restored (zsh: `autoload -U bashcompinit && bashcompinit` first).
# The binary completes itself: System.CommandLine's [suggest:POSITION] directive prints the
# commands, options and option values that fit the command line at the cursor, one per line.
# Installed by the .deb as /usr/share/bash-completion/completions/kafka-restored; else source it
# from ~/.bashrc.
_kafka_restored_complete() {
    local IFS=$'\n'
    local candidates
    candidates=$("${COMP_WORDS[0]}" "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null) || return 0
    # shellcheck disable=SC2207 # one candidate per line, split on IFS=\n
    COMPREPLY=($(compgen -W "${candidates}" -- "${COMP_WORDS[COMP_CWORD]}"))
}
complete -o default -F _kafka_restored_complete kafka-restored
