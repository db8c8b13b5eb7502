package dev.bpfwatch.cli;

import dev.bpfwatch.agent.ConfigChecker;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Validate configs and pass their programs through the verifier, then unload them. "
                + "Exit 0 when all are good, 2 with one line per error.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:every config is valid and its programs pass the verifier",
                "1:failure at run time (no permission to load programs)",
                "2:a config or object is wrong, or the verifier rejects a program (one line per error)"},
        footerHeading = "%nExamples:%n",
        footer = {"  bpfwatch check --config.dir=/etc/bpfwatch",
                "  bpfwatch check --config.dir=/etc/bpfwatch --config.names=tcp"})
final class CheckCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions configs;

    @Mixin
    BtfPathOption btf;

    @Override
    public Integer call() {
        List<String> errors = ConfigChecker.check(configs.dir, configs.names, btf.customBtf(),
                ok -> spec.commandLine().getOut().println("ok: " + ok));
        errors.forEach(e -> spec.commandLine().getErr().println("bpfwatch: " + e));
        spec.commandLine().getOut().flush();
        return errors.isEmpty() ? 0 : 2;
    }
}
