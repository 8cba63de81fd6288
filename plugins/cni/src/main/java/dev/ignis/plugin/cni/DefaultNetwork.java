package dev.ignis.plugin.cni;

/** Ignite's default network, installed as {@code 10-ignite.conflist} into an empty conf dir. */
final class DefaultNetwork {

  static final String FILE_NAME = "10-ignite.conflist";
  static final String NAME = "ignite-cni-bridge";
  static final String BRIDGE = "ignite0";
  static final String SUBNET = "10.61.0.0/16";

  static final String CONFLIST = """
      {
        "cniVersion": "0.4.0",
        "name": "%s",
        "plugins": [
          {
            "type": "bridge",
            "bridge": "%s",
            "isGateway": true,
            "isDefaultGateway": true,
            "promiscMode": true,
            "ipMasq": true,
            "ipam": {
              "type": "host-local",
              "subnet": "%s"
            }
          },
          {
            "type": "portmap",
            "capabilities": {
              "portMappings": true
            }
          },
          {
            "type": "firewall"
          }
        ]
      }
      """.formatted(NAME, BRIDGE, SUBNET);

  private DefaultNetwork() {}
}
