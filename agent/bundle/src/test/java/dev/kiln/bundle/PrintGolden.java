package dev.kiln.bundle;

/** Prints the sha256 of the fixture bundle: run in child JVMs under other TZ settings. */
public final class PrintGolden {
    private PrintGolden() {
    }

    public static void main(String[] args) {
        System.out.println(BundleWriter.sha256(Fixtures.bundle("01a216ef-0000-7000-8000-000000000001", Fixtures.key("station"))));
    }
}
