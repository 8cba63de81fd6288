package org.example.vethports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VethPoolTest {

  @TempDir Path dir;

  @Test
  void blocksAreTakenInOrder_andAKeptAddressComesBackWhileFree() {
    VethPool pool = VethPool.of("10.213.0.0/28", dir);
    VethPool.Lease first = pool.take("aaaaaaaaaaaaaaaa", "eth0", Optional.empty(), List.of());
    assertThat(first.guest()).isEqualTo("10.213.0.2");
    assertThat(first.gateway()).isEqualTo("10.213.0.1");
    assertThat(pool.take("bbbbbbbbbbbbbbbb", "eth0", Optional.empty(), List.of("10.213.0.10")).guest())
        .isEqualTo("10.213.0.10");
    assertThat(pool.take("cccccccccccccccc", "eth0", Optional.empty(), List.of("10.213.0.10")).guest())
        .as("kept, but taken meanwhile: another one, no failure").isEqualTo("10.213.0.6");
    assertThat(pool.take("aaaaaaaaaaaaaaaa", "eth0", Optional.empty(), List.of())).as("the same network again")
        .isEqualTo(first);
  }

  @Test
  void aRequestedAddress_isGivenOrRefused() {
    VethPool pool = VethPool.of("10.213.0.0/28", dir);
    pool.take("aaaaaaaaaaaaaaaa", "eth0", Optional.of("10.213.0.6"), List.of());
    assertThatThrownBy(() -> pool.take("bbbbbbbbbbbbbbbb", "eth0", Optional.of("10.213.0.6"), List.of()))
        .isInstanceOfSatisfying(IgnisException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ALREADY_EXISTS));
    assertThatThrownBy(() -> pool.take("bbbbbbbbbbbbbbbb", "eth0", Optional.of("10.213.0.5"), List.of()))
        .hasMessageContaining("not a guest address of the pool");
  }

  @Test
  void aFullPool_saysSo_andAReleasedBlockIsFreeAgain() {
    VethPool pool = VethPool.of("10.213.0.0/29", dir);
    VethPool.Lease a = pool.take("aaaaaaaaaaaaaaaa", "eth0", Optional.empty(), List.of());
    pool.take("bbbbbbbbbbbbbbbb", "eth0", Optional.empty(), List.of());
    assertThatThrownBy(() -> pool.take("cccccccccccccccc", "eth0", Optional.empty(), List.of()))
        .hasMessageContaining("pool is full");
    pool.release(a);
    assertThat(pool.take("cccccccccccccccc", "eth0", Optional.empty(), List.of()).guest()).isEqualTo(a.guest());
  }

  @Test
  void aBadPool_isRefusedNamingTheSetting() {
    assertThatThrownBy(() -> VethPool.of("10.213.0.0/31", dir)).hasMessageContaining("plugin.veth-ports.pool");
  }
}
