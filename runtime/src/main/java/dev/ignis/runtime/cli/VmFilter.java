package dev.ignis.runtime.cli;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;

/**
 * {@code ps --filter KEY=VALUE}, as Docker's: a VM is shown when, for every key given, one of
 * that key's values matches (values of one key are alternatives, keys narrow each other down);
 * {@code label=KEY} or {@code label=KEY=VALUE} filters must all match, as Docker's do.
 */
final class VmFilter {

  private static final Map<String, BiPredicate<VmView, String>> KEYS = new LinkedHashMap<>();

  static {
    KEYS.put("name", (vm, value) -> vm.name().contains(value));
    KEYS.put("id", (vm, value) -> vm.id().startsWith(value));
    KEYS.put("status", (vm, value) -> vm.status().equalsIgnoreCase(value));
    KEYS.put("plugin", (vm, value) -> vm.nics().stream().anyMatch(nic -> nic.network().split(":")[0].equals(value)));
    KEYS.put("network", (vm, value) -> vm.nics().stream().anyMatch(nic -> nic.network().equals(value)));
    KEYS.put("label", VmFilter::hasLabel);
  }

  private static boolean hasLabel(VmView vm, String label) {
    int eq = label.indexOf('=');
    return eq < 0 ? vm.labels().containsKey(label) : label.substring(eq + 1).equals(vm.labels().get(label.substring(0, eq)));
  }

  private final Map<String, List<String>> wanted = new LinkedHashMap<>();

  /** The filters given, each {@code KEY=VALUE} of a known key; throws for any other. */
  VmFilter(List<String> filters) {
    for (String filter : filters) {
      int equals = filter.indexOf('=');
      String key = equals < 0 ? filter : filter.substring(0, equals);
      if (equals < 1 || !KEYS.containsKey(key)) {
        throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "--filter '" + filter + "' is not KEY=VALUE with KEY one"
            + " of " + String.join(", ", KEYS.keySet()));
      }
      wanted.computeIfAbsent(key, k -> new java.util.ArrayList<>()).add(filter.substring(equals + 1));
    }
  }

  boolean matches(VmView vm) {
    return wanted.entrySet().stream().allMatch(entry -> entry.getKey().equals("label")
        ? entry.getValue().stream().allMatch(value -> hasLabel(vm, value))
        : entry.getValue().stream().anyMatch(value -> KEYS.get(entry.getKey()).test(vm, value)));
  }
}
