package dev.kiln.bundle;

/** Recorded once from a run of {@link BundleWriterTest}; see its javadoc. */
final class GoldenValue {
    static final String SHA256 = "e3e151c7957f119fa1c17ec5e7e33b555c0efc60a5ef43c2ece250a27b2169c4";

    private GoldenValue() {
    }
}
