package dev.kiln.core.sku;

import dev.kiln.api.SuiteContext;
import dev.kiln.core.inventory.Inventory;
import dev.kiln.core.runner.BuiltInCheck;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The inventory check {@code run --sku} puts first: every part the SKU promises that is missing or
 * different is a FAIL carrying the expected and actual values, so the run's verdict is FAIL and the
 * bundle holds both. Built into the agent, not found through the service loader.
 */
public final class InventoryCheckSuite extends BuiltInCheck {
    public static final String ID = "inventory";

    private final Sku sku;
    private final Inventory inventory;

    public InventoryCheckSuite(Sku sku, Inventory inventory) {
        super(ID, "Inventory against the SKU",
                "Compares the hardware found with what the SKU file promises");
        this.sku = sku;
        this.inventory = inventory;
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
            ctx.verified(1);
        }
    }

}
