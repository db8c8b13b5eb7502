package dev.bpfwatch.cli;

import dev.bpfwatch.probe.FeatureProbe;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "probe", mixinStandardHelpOptions = true,
        description = "Report what this kernel offers bpfwatch: BTF, bpffs, and which attach types "
                + "load and attach here (each tried for real).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:report printed (features this kernel lacks are listed, not errors)",
                "1:failure at run time (no permission to load programs)"})
final class ProbeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().print(FeatureProbe.report().describe());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
