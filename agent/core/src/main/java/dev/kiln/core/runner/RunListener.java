package dev.kiln.core.runner;

import dev.kiln.api.Failure;
import dev.kiln.api.LogLevel;
import dev.kiln.api.Measurement;
import dev.kiln.api.SuiteResult;

/**
 * What a run tells its reporters (the OCP JSONL writer, the human reporter, later the journal).
 * Calls may come from worker threads: implementations are thread-safe.
 */
public interface RunListener {
    default void runStarted(RunInfo run) {
    }

    default void suiteStarted(PlannedSuite suite) {
    }

    default void measurement(String suiteId, Measurement measurement) {
    }

    default void failure(String suiteId, Failure failure) {
    }

    default void log(String suiteId, LogLevel level, String message) {
    }

    default void suiteEnded(SuiteResult result) {
    }

    default void runEnded(RunReport report) {
    }

    /** Several listeners as one, called in order. */
    static RunListener all(RunListener... listeners) {
        return new RunListener() {
            @Override
            public void runStarted(RunInfo run) {
                for (RunListener l : listeners) {
                    l.runStarted(run);
                }
            }

            @Override
            public void suiteStarted(PlannedSuite suite) {
                for (RunListener l : listeners) {
                    l.suiteStarted(suite);
                }
            }

            @Override
            public void measurement(String suiteId, Measurement m) {
                for (RunListener l : listeners) {
                    l.measurement(suiteId, m);
                }
            }

            @Override
            public void failure(String suiteId, Failure f) {
                for (RunListener l : listeners) {
                    l.failure(suiteId, f);
                }
            }

            @Override
            public void log(String suiteId, LogLevel level, String message) {
                for (RunListener l : listeners) {
                    l.log(suiteId, level, message);
                }
            }

            @Override
            public void suiteEnded(SuiteResult r) {
                for (RunListener l : listeners) {
                    l.suiteEnded(r);
                }
            }

            @Override
            public void runEnded(RunReport report) {
                for (RunListener l : listeners) {
                    l.runEnded(report);
                }
            }
        };
    }
}
