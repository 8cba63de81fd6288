// cni-peer runs libcni's own ADD, CHECK and DEL of one attachment, as containerd and CRI-O
// do: the reference Ignis is compared against in tests and benchmarks. It is built offline
// from Debian's libcni source (golang-github-appc-cni-dev) by scripts/build-cni-peer.
//
// Usage: cni-peer add|check|del CONFIG CONTAINER_ID NETNS IFNAME
// with CNI_PATH (the bin path) and CNI_CACHE_DIR (libcni's cache root) in the environment, and
// optionally CNI_PEER_PORTS=HOSTPORT:CONTAINERPORT[,...] for the portMappings capability (tcp).
// check and del take the runtime arguments from libcni's cache, as its callers' DEL does.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/containernetworking/cni/libcni"
)

func main() {
	if len(os.Args) != 6 {
		fmt.Fprintln(os.Stderr, "usage: cni-peer add|check|del CONFIG CONTAINER_ID NETNS IFNAME")
		os.Exit(2)
	}
	op, file := os.Args[1], os.Args[2]
	list, err := load(file)
	if err != nil {
		fail(err)
	}
	cni := libcni.NewCNIConfigWithCacheDir(filepath.SplitList(os.Getenv("CNI_PATH")), os.Getenv("CNI_CACHE_DIR"), nil)
	rt := &libcni.RuntimeConf{ContainerID: os.Args[3], NetNS: os.Args[4], IfName: os.Args[5],
		Args: [][2]string{{"IgnoreUnknown", "1"}}, CapabilityArgs: map[string]interface{}{}}
	if ports := os.Getenv("CNI_PEER_PORTS"); ports != "" {
		var mappings []map[string]interface{}
		for _, pair := range strings.Split(ports, ",") {
			var host, container int
			if _, err := fmt.Sscanf(pair, "%d:%d", &host, &container); err != nil {
				fail(fmt.Errorf("CNI_PEER_PORTS %q: %w", pair, err))
			}
			mappings = append(mappings, map[string]interface{}{"hostPort": host, "containerPort": container, "protocol": "tcp"})
		}
		rt.CapabilityArgs["portMappings"] = mappings
	}
	if op != "add" {
		_, cached, err := cni.GetNetworkListCachedConfig(list, rt)
		if err != nil {
			fail(err)
		}
		if cached != nil {
			rt = cached
		}
	}
	ctx := context.Background()
	switch op {
	case "add":
		result, err := cni.AddNetworkList(ctx, list, rt)
		if err != nil {
			fail(err)
		}
		if err := json.NewEncoder(os.Stdout).Encode(result); err != nil {
			fail(err)
		}
	case "check":
		err = cni.CheckNetworkList(ctx, list, rt)
	case "del":
		err = cni.DelNetworkList(ctx, list, rt)
	default:
		fail(fmt.Errorf("unknown operation %q", op))
	}
	if err != nil {
		fail(err)
	}
}

func load(file string) (*libcni.NetworkConfigList, error) {
	if strings.HasSuffix(file, ".conflist") {
		return libcni.ConfListFromFile(file)
	}
	conf, err := libcni.ConfFromFile(file)
	if err != nil {
		return nil, err
	}
	return libcni.ConfListFromConf(conf)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "cni-peer:", err)
	os.Exit(1)
}
