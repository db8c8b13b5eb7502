package dev.bpfwatch.cli;

import picocli.CommandLine;

final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = BpfwatchCommand.class.getPackage().getImplementationVersion();
        return new String[] {"bpfwatch " + (v == null ? "dev" : v)};
    }
}
