package dev.ignis.spi;

/**
 * Which VM a network call is about: its immutable id and its name.
 *
 * <p>Make one with {@link #of}. The id is 16 lower-case hex digits and stays the same for the VM's whole life; plugins
 * use it to name what they create (container ids, cache keys). The name is for messages.
 *
 * @param id the VM id, 16 lower-case hex digits
 * @param name the VM name, for messages
 */
public record VmRef(String id, String name) {

  /** Validates both fields. */
  public VmRef {
    Values.nonBlank(id, "VM id");
    if (!id.matches("[0-9a-f]{16}")) {
      throw Values.invalid("VM id '" + id + "' is not 16 lower-case hex digits");
    }
    Values.nonBlank(name, "VM name");
  }

  /** The VM with the given id and name. */
  public static VmRef of(String id, String name) {
    return new VmRef(id, name);
  }

  @Override
  public String toString() {
    return name + " (" + id + ")";
  }
}
