package dev.kiln.core.doctor;

import java.util.List;

/** One capability's checks, made on this machine; one class per capability, in this package. */
interface Capability {
    List<Check> check(Doctor.Context ctx);
}
