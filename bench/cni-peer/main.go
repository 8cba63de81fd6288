// cni-peer runs libcni's own ADD, CHECK and DEL of one attachment, as containerd and CRI-O
// do: the reference Ignis is compared against in tests and benchmarks. It is built offline
// from Debian's libcni source (golang-github-appc-cni-dev) by scripts/build-cni-peer.
//
// Usage: cni-peer add|check|del CONFIG CONTAINER_ID NETNS IFNAME
// with CNI_PATH (the bin path) and CNI_CACHE_DIR (libcni's cache root) in the environment.
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
		Args: [][2]string{{"IgnoreUnknown", "1"}}}
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
