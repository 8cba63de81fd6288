package dev.ignis.plugin.flannel;

import dev.ignis.spi.AttachRequest;
import dev.ignis.spi.Attachment;
import dev.ignis.spi.BootstrapRequest;
import dev.ignis.spi.BootstrapResult;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.Finding;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.NetworkPlugin;
import dev.ignis.spi.PortMapping;
import java.util.List;

/**
 * The flannel network plugin: multi-node overlay over flannel leases in etcd.
 *
 * <p>This build ships the plugin's identity only; its network operations arrive with the
 * flannel work item and until then fail with {@link ErrorCode#PLUGIN_NOT_AVAILABLE}.
 */
public final class FlannelPlugin implements NetworkPlugin {

  @Override
  public String id() {
    return "flannel";
  }

  @Override
  public String description() {
    return "multi-node overlay over flannel leases in etcd";
  }

  @Override
  public BootstrapResult bootstrap(BootstrapRequest request) {
    return new BootstrapResult(List.of(Finding.problem("flannel plugin", notYet().getMessage())));
  }

  @Override
  public Attachment attach(AttachRequest request) {
    throw notYet();
  }

  @Override
  public List<PortMapping> mapPorts(Attachment attachment, List<PortMapping> wanted) {
    throw notYet();
  }

  @Override
  public void detach(Attachment attachment) {
    // Nothing can have been attached by this build.
  }

  private static IgnisException notYet() {
    return new IgnisException(ErrorCode.PLUGIN_NOT_AVAILABLE,
        "the flannel plugin cannot attach VMs in this version yet; use --network-plugin cni");
  }
}
