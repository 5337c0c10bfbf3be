package dev.kiln.core.platform.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** The sysfs source on trees built here: values change between samples, devices vanish, files hold garbage. */
class LinuxSysfsSourceTest {
    @TempDir
    Path root;

    /** A clock the test moves. */
    static final class Steps extends Clock {
        Instant now = Instant.parse("2026-11-26T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    void write(String rel, String value) throws IOException {
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, value + "\n");
    }

    void tree() throws IOException {
        write("sys/class/thermal/thermal_zone0/type", "x86_pkg_temp");
        write("sys/class/thermal/thermal_zone0/temp", "45000");
        write("sys/class/hwmon/hwmon0/name", "nct6775");
        write("sys/class/hwmon/hwmon0/temp1_input", "51500");
        write("sys/class/hwmon/hwmon0/temp1_label", "CPU Package");
        write("sys/class/hwmon/hwmon0/fan1_input", "1200");
        write("sys/class/hwmon/hwmon0/in0_input", "1104");
        write("sys/class/hwmon/hwmon1/name", "acpi_power");
        write("sys/class/hwmon/hwmon1/power1_input", "95000000");
        write("sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq", "3500000");
        write("sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", "4200000");
        write("sys/devices/system/cpu/cpu1/cpufreq/scaling_cur_freq", "1200000");
        write("sys/class/powercap/intel-rapl:0/name", "package-0");
        write("sys/class/powercap/intel-rapl:0/energy_uj", "1000000");
        write("sys/class/powercap/intel-rapl:0/max_energy_range_uj", "262143328850");
        write("sys/devices/system/edac/mc/mc0/ce_count", "0");
        write("sys/devices/system/edac/mc/mc0/ue_count", "0");
    }

    @Test
    void readsEveryKindWithUnitsInTheNames() throws IOException {
        tree();
        Steps clock = new Steps();
        LinuxSysfsSource s = new LinuxSysfsSource(root, clock, w -> { });
        assertTrue(s.channels().containsAll(List.of("thermal_zone0_x86_pkg_temp_celsius", "hwmon_hwmon0_nct6775_cpu_package_celsius",
                "hwmon_hwmon0_nct6775_fan1_rpm", "hwmon_hwmon0_nct6775_in0_volts", "hwmon_hwmon1_acpi_power_power1_watts",
                "cpu0_freq_hertz", "cpu0_max_freq_hertz", "cpu1_freq_hertz", "powercap_intel_rapl_0_package_0_watts",
                "edac_mc0_corrected_errors_total", "edac_mc0_uncorrected_errors_total")), s.channels().toString());
        Map<String, Double> a = s.sample();
        assertEquals(45.0, a.get("thermal_zone0_x86_pkg_temp_celsius"));
        assertEquals(51.5, a.get("hwmon_hwmon0_nct6775_cpu_package_celsius"));
        assertEquals(1.104, a.get("hwmon_hwmon0_nct6775_in0_volts"), 1e-9);
        assertEquals(95.0, a.get("hwmon_hwmon1_acpi_power_power1_watts"), 1e-9);
        assertEquals(3.5e9, a.get("cpu0_freq_hertz"));
        assertFalse(a.containsKey("powercap_intel_rapl_0_package_0_watts"), "no rate before a second reading");

        // A hot zone, a stopped fan, EDAC counts rising, energy spent: the next sample sees each change.
        write("sys/class/thermal/thermal_zone0/temp", "98000");
        write("sys/class/hwmon/hwmon0/fan1_input", "0");
        write("sys/devices/system/edac/mc/mc0/ce_count", "3");
        write("sys/class/powercap/intel-rapl:0/energy_uj", "51000000"); // 50 J in 2 s
        clock.now = clock.now.plusSeconds(2);
        Map<String, Double> b = s.sample();
        assertEquals(98.0, b.get("thermal_zone0_x86_pkg_temp_celsius"));
        assertEquals(0.0, b.get("hwmon_hwmon0_nct6775_fan1_rpm"));
        assertEquals(3.0, b.get("edac_mc0_corrected_errors_total"));
        assertEquals(25.0, b.get("powercap_intel_rapl_0_package_0_watts"), 1e-9);

        write("sys/class/powercap/intel-rapl:0/energy_uj", "1000000"); // wrapped around
        clock.now = clock.now.plusSeconds(1);
        double wrapped = s.sample().get("powercap_intel_rapl_0_package_0_watts");
        assertTrue(wrapped > 0, "a wrapped counter is not negative power: " + wrapped);
    }

    @Test
    void garbageAndVanishedDevicesLeaveChannelsEmptyWithOneWarningEach() throws IOException {
        tree();
        List<String> warnings = new ArrayList<>();
        LinuxSysfsSource s = new LinuxSysfsSource(root, new Steps(), warnings::add);
        write("sys/class/hwmon/hwmon0/temp1_input", "N/A");
        Files.walk(root.resolve("sys/class/hwmon/hwmon1")).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        for (int i = 0; i < 5; i++) {
            Map<String, Double> m = s.sample();
            assertFalse(m.containsKey("hwmon_hwmon0_nct6775_cpu_package_celsius"));
            assertFalse(m.containsKey("hwmon_hwmon1_acpi_power_power1_watts"));
            assertEquals(45.0, m.get("thermal_zone0_x86_pkg_temp_celsius"), "the rest goes on");
        }
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.stream().anyMatch(w -> w.contains("'N/A', not a number")));
        assertTrue(warnings.stream().anyMatch(w -> w.contains("cannot be read")));
    }

    /** This CI VM's real sysfs, captured in test resources: no telemetry files, one CPU cluster; two cores of one package (no die_id: die 0). */
    @Test
    void theCapturedCiVmTree() throws Exception {
        Path vm = Path.of(getClass().getResource("/fixtures/linux-ci-vm").toURI());
        assertEquals(List.of(), new LinuxSysfsSource(vm, Clock.systemUTC(), w -> { }).channels());
        assertEquals(List.of(new dev.kiln.api.SuiteEnvironment.LogicalCpu(0, "capacity-1024", 0, 0),
                new dev.kiln.api.SuiteEnvironment.LogicalCpu(1, "capacity-1024", 1, 0)),
                dev.kiln.core.platform.CpuTopology.linux(vm, dev.kiln.core.platform.CpuList.parse(
                        Files.readString(vm.resolve("sys/devices/system/cpu/online")))));
    }

    @Test
    void anEmptyTreeHasNoChannels() {
        assertEquals(List.of(), new LinuxSysfsSource(root, Clock.systemUTC(), w -> { }).channels());
    }

    /** Live: whatever this machine exposes reads without warnings (this CI VM exposes none of it). */
    @Test
    @EnabledOnOs(OS.LINUX)
    void thisMachine() {
        List<String> warnings = new ArrayList<>();
        LinuxSysfsSource s = new LinuxSysfsSource(Path.of("/"), Clock.systemUTC(), warnings::add);
        Map<String, Double> m = s.sample();
        for (Map.Entry<String, Double> e : m.entrySet()) {
            if (e.getKey().endsWith("_celsius")) {
                assertTrue(e.getValue() > -40 && e.getValue() < 150, e.toString());
            }
            if (e.getKey().endsWith("_freq_hertz")) {
                assertTrue(e.getValue() > 1e7 && e.getValue() < 1e10, e.toString());
            }
        }
        assertEquals(List.of(), warnings);
    }
}
