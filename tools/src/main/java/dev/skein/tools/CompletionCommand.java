package dev.skein.tools;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

@Command(name = "completion", mixinStandardHelpOptions = true,
        description = "Print a bash (or zsh) completion script for skein, made by picocli from the commands.",
        footer = {"", "Example:", "  skein completion > /etc/bash_completion.d/skein",
                "  source <(skein completion)"})
final class CompletionCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        CommandLine root = spec.root().commandLine();
        spec.commandLine().getOut().print(AutoComplete.bash("skein", root));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
