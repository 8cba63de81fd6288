package growth;

import dev.ignis.spi.Attachment;
import dev.ignis.spi.VmRef;
import java.util.List;
import java.util.Map;

/** What the SPI's javadoc warns against: a value made through its canonical constructor. */
public final class BrittlePlugin {

  public static String exercise() {
    Attachment attachment = new Attachment("brittle", VmRef.of("0123456789abcdef", "web"), "", "eth0", List.of(),
        List.of(), null, List.of(), Map.of());
    return attachment.pluginId();
  }
}
