package dev.kiln.bundle;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What the acceptance service answers for a stored bundle (DESIGN §6): the agent removes a bundle
 * from its outbox only against a receipt whose {@code sha256} is the bundle's own.
 *
 * @param runId      the run
 * @param sha256     hex SHA-256 of the bundle bytes the service stored
 * @param receivedAt ISO-8601 UTC
 * @param accepted   true when stored
 * @param reasons    why not, when not
 * @param serial     the unit, as the signed predicate says
 * @param verdict    the run's verdict, as the signed predicate says
 * @param stationKey the key id that signed it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Receipt(String runId, String sha256, String receivedAt, boolean accepted, List<String> reasons,
                      String serial, String verdict, String stationKey) {
    public Receipt {
        reasons = reasons == null ? List.of() : List.copyOf(reasons);
    }
}
