package dev.kiln.core.inventory;

import dev.kiln.api.Availability;
import dev.kiln.api.Suite;
import dev.kiln.api.SuiteContext;
import dev.kiln.api.SuiteDescriptor;
import dev.kiln.api.SuiteEnvironment;
import dev.kiln.api.WorkerContext;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The inventory check {@code run --sku} puts first: every part the SKU promises that is missing or
 * different is a FAIL carrying the expected and actual values, so the run's verdict is FAIL and the
 * bundle holds both. Built into the agent, not found through the service loader.
 */
public final class InventoryCheckSuite implements Suite {
    public static final String ID = "inventory";
    private static final SuiteDescriptor DESCRIPTOR = new SuiteDescriptor(ID, "Inventory against the SKU",
            "Compares the hardware found with what the SKU file promises", List.of(), Duration.ofMillis(100), Duration.ZERO, true);

    private final Sku sku;
    private final Inventory inventory;

    public InventoryCheckSuite(Sku sku, Inventory inventory) {
        this.sku = sku;
        this.inventory = inventory;
    }

    @Override
    public SuiteDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Availability availability(SuiteEnvironment env) {
        return Availability.ok();
    }

    @Override
    public void prepare(SuiteContext ctx) {
        for (Sku.Check c : sku.compare(inventory)) {
            if (!c.ok()) {
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("field", c.field());
                d.put("expected", c.expected());
                d.put("actual", c.actual());
                d.put("sku", sku.name() == null ? "" : sku.name());
                ctx.failure("inventory-sku-mismatch", c.field() + ": expected " + c.expected() + ", found " + c.actual(), d);
            } else {
                ctx.log(dev.kiln.api.LogLevel.INFO, c.field() + ": " + c.actual() + " as expected");
            }
        }
    }

    @Override
    public void run(WorkerContext ctx) {
        // the comparison is done once, in prepare; nothing to repeat
    }
}
