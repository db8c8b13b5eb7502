package dev.bpfwatch.agent;

import java.util.logging.Logger;

/** Outcome of the last config reload, for the log and self-metrics (as Prometheus reports its own). */
final class ReloadStatus {
    private static final Logger LOG = Logger.getLogger(ReloadStatus.class.getName());

    private volatile boolean lastSuccessful = true;
    private volatile long lastSuccessEpochSeconds = System.currentTimeMillis() / 1000;
    private volatile String lastError;

    String failed(String why) {
        lastSuccessful = false;
        lastError = why;
        LOG.severe("reload failed, previous configs keep running: " + why);
        return why;
    }

    void succeeded() {
        lastSuccessful = true;
        lastError = null;
        lastSuccessEpochSeconds = System.currentTimeMillis() / 1000;
    }

    boolean lastSuccessful() {
        return lastSuccessful;
    }

    long lastSuccessEpochSeconds() {
        return lastSuccessEpochSeconds;
    }

    String lastError() {
        return lastError;
    }
}
