package dev.kiln.api;

/**
 * The verdict of a whole run: {@code FAIL} if any suite is FAIL or HUNG (or the inventory does not
 * match the SKU); {@code INCOMPLETE} if any required suite is ERROR, SKIPPED or INTERRUPTED;
 * otherwise {@code PASS}.
 */
public enum Verdict {
    PASS, FAIL, INCOMPLETE
}
