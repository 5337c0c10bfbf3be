package dev.kiln.bundle;

/** Recorded once from a run of {@link BundleWriterTest}; see its javadoc. */
final class GoldenValue {
    static final String SHA256 = "221d2808309ee7d2bf443a4ac9c06fcfcfd902ce50c15de2e70c96ade50419c0";

    private GoldenValue() {
    }
}
