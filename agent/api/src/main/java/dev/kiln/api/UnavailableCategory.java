package dev.kiln.api;

/** Why a suite cannot run here. */
public enum UnavailableCategory {
    /** No such hardware on this machine. */
    NOT_PRESENT,
    /** Not on this OS or build. */
    NOT_SUPPORTED,
    /** Not enough of a resource (memory, disk, file handles). */
    NO_RESOURCE,
    /** Needs a privilege the agent does not have. */
    NO_PERMISSION
}
