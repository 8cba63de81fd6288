package dev.ignis.runtime.image.oci;

import java.time.Instant;
import java.util.Map;

/**
 * One member of a tar archive, with what POSIX pax and GNU headers add: long names, exact
 * sizes and ids, and extended attributes with their bytes as written.
 *
 * @param name the member's path as written (not yet cleaned)
 * @param type what it is
 * @param mode permission bits, with set-uid, set-gid and sticky
 * @param uid owner
 * @param gid group
 * @param size bytes of content (files only)
 * @param mtime modification time
 * @param linkName a symlink's target, or the member a hard link names
 * @param devMajor a device's major number
 * @param devMinor a device's minor number
 * @param xattrs extended attributes (name to value bytes)
 */
record TarEntry(String name, Type type, int mode, long uid, long gid, long size, Instant mtime, String linkName,
    int devMajor, int devMinor, Map<String, byte[]> xattrs) {

  /** The kinds of member a layer may hold. */
  enum Type { FILE, HARDLINK, SYMLINK, CHAR_DEVICE, BLOCK_DEVICE, DIRECTORY, FIFO }

  TarEntry {
    xattrs = Map.copyOf(xattrs);
  }
}
