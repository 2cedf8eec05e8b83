package dev.skein.tools;

import picocli.CommandLine.IVersionProvider;

/** `skein --version`: the version Maven built into the jar's manifest, and the Java that runs it. */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = Skein.class.getPackage().getImplementationVersion();
        return new String[] {"skein " + (version == null ? "(development build: no jar manifest)" : version),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
    }
}
