package dev.ignis.runtime.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code runtime completion bash|zsh}: the shell's completion script, which asks {@code runtime __complete}. */
@Command(name = "completion", mixinStandardHelpOptions = true,
    description = "Print the completion script of a shell: 'source <(runtime completion bash)' in ~/.bashrc,"
        + " or the same with zsh after compinit. It completes commands, options, their values and the names of"
        + " VMs, images, kernels and plugins.")
final class CompletionCommand implements Callable<Integer> {

  enum Shell { BASH, ZSH }

  @ParentCommand RootCommand root;

  @Parameters(paramLabel = "SHELL", description = "bash or zsh.")
  Shell shell;

  /**
   * bash splits words at '=' and ':' too (COMP_WORDBREAKS), so the script hands runtime the
   * line split at blanks, and cuts each answer down to the part bash replaces.
   */
  static final String BASH = """
      # bash completion of runtime (Ignis): source <(runtime completion bash)
      _runtime_complete() {
        local cur=${COMP_WORDS[COMP_CWORD]} line words
        [[ $cur == [=:] ]] && cur=""
        read -ra words <<<"${COMP_LINE:0:COMP_POINT}"
        [[ ${COMP_LINE:COMP_POINT-1:1} == [[:space:]] ]] && words+=("")
        local typed=${words[${#words[@]}-1]}
        COMPREPLY=()
        while IFS= read -r line; do
          line=${line%%$'\\t'*}
          COMPREPLY+=("${line:${#typed}-${#cur}}")
        done < <("${words[0]}" __complete "${words[@]:1}" 2>/dev/null)
        [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]] && compopt -o nospace
        return 0
      }
      complete -o default -F _runtime_complete runtime
      """;

  static final String ZSH = """
      #compdef runtime
      # zsh completion of runtime (Ignis): source <(runtime completion zsh), after compinit
      _runtime() {
        local -a described plain
        local line word
        for line in "${(@f)$("${words[1]}" __complete "${(@)words[2,CURRENT]}" 2>/dev/null)}"; do
          [[ -z $line ]] && continue
          word=${line%%$'\\t'*}
          if [[ $word == *= ]]; then plain+=("$word"); else described+=("${word//:/\\\\:}:${line#*$'\\t'}"); fi
        done
        (( ${#plain} )) && compadd -S '' -- "${plain[@]}"
        (( ${#described} )) && _describe -t values runtime described
        (( ${#plain} + ${#described} )) || _files
      }
      compdef _runtime runtime
      """;

  @Override
  public Integer call() {
    root.out.print(shell == Shell.BASH ? BASH : ZSH);
    return 0;
  }
}
