import { execFileSync } from 'node:child_process';

/** Runs a command to completion, throwing with its output when it fails. */
export function runCommand(...command: string[]): void {
  execFileSync(command[0] as string, command.slice(1), { stdio: 'pipe' });
}

/**
 * A LAN made of network namespaces on this machine: a bridge in the test's own namespace
 * and one namespace per node, each on a veth pair into the bridge, with addresses of a
 * 198.18.0.0/15 subnet. Names carry `tag` so that several such tests can run at once.
 */
export interface TestLan<N extends string> {
  /** The network namespace of a node (for `ip netns exec`). */
  ns: (name: N) => string;
  /** A node's address on the LAN. */
  address: (name: N) => string;
  /** Makes the bridge and the namespaces. */
  build(): void;
  /** Removes whatever `build` made, even half-way. */
  tearDown(): void;
  /** Takes a node's link down (`up: false`) or back up, as a cable pulled and plugged back. */
  setLink(name: N, up: boolean): void;
  /**
   * Why this machine cannot make the namespaces (not root, no `ip netns`, or a `probe` run
   * inside one failing), or undefined when it can.
   */
  cannotBuild(probe?: string[]): string | undefined;
}

/** A {@link TestLan} of `nodes` (name → last octet) on `subnet` (e.g. `198.18.7`). */
export function testLan<N extends string>(options: {
  tag: string;
  subnet: string;
  nodes: Record<N, number>;
}): TestLan<N> {
  const { tag, subnet, nodes } = options;
  const bridge = `${tag}br`;
  const names = Object.keys(nodes) as N[];
  const ns = (name: N) => `${tag}-${name}`;
  const hostSide = (name: N) => `${tag}${name}a`;
  const address = (name: N) => `${subnet}.${nodes[name]}`;
  const quietly = (...command: string[]) => {
    try {
      runCommand(...command);
    } catch {
      // never made, or gone with its namespace
    }
  };
  return {
    ns,
    address,
    build() {
      runCommand('ip', 'link', 'add', bridge, 'type', 'bridge');
      runCommand('ip', 'addr', 'add', `${subnet}.1/24`, 'dev', bridge);
      runCommand('ip', 'link', 'set', bridge, 'up');
      for (const name of names) {
        const inside = `${tag}${name}b`;
        runCommand('ip', 'netns', 'add', ns(name));
        runCommand('ip', 'link', 'add', hostSide(name), 'type', 'veth', 'peer', 'name', inside);
        runCommand('ip', 'link', 'set', inside, 'netns', ns(name));
        runCommand('ip', 'link', 'set', hostSide(name), 'master', bridge, 'up');
        const inNs = ['ip', 'netns', 'exec', ns(name)];
        runCommand(...inNs, 'ip', 'addr', 'add', `${address(name)}/24`, 'dev', inside);
        runCommand(...inNs, 'ip', 'link', 'set', inside, 'up');
        runCommand(...inNs, 'ip', 'link', 'set', 'lo', 'up');
      }
    },
    tearDown() {
      for (const name of names) {
        quietly('ip', 'netns', 'del', ns(name));
        quietly('ip', 'link', 'del', hostSide(name));
      }
      quietly('ip', 'link', 'del', bridge);
    },
    setLink(name, up) {
      runCommand('ip', 'link', 'set', hostSide(name), up ? 'up' : 'down');
    },
    cannotBuild(probe) {
      if (process.getuid?.() !== 0) return 'network namespaces need root (CI runs as root)';
      const probeNs = `${tag}-probe`;
      try {
        runCommand('ip', 'netns', 'add', probeNs);
      } catch (error) {
        return `ip netns is not usable here: ${(error as Error).message.split('\n')[0]}`;
      }
      try {
        if (probe) runCommand('ip', 'netns', 'exec', probeNs, ...probe);
        return undefined;
      } catch (error) {
        return `${probe?.join(' ')} is not usable here: ${(error as Error).message.split('\n')[0]}`;
      } finally {
        quietly('ip', 'netns', 'del', probeNs);
      }
    },
  };
}
