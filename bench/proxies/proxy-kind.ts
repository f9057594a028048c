// What the bench needs to know about a proxy product to run it as a sidecar-style hop: its binary and
// Debian package, how to write its config for one hop, and how to start it in the foreground.

/** One hop: listen on 127.0.0.1:`listenPort`, forward to 127.0.0.1:`backendPort` over keep-alive. */
export interface HopConfig {
  readonly listenPort: number;
  readonly backendPort: number;
  /** A private directory for this hop's config, pid and temp files. */
  readonly workDir: string;
}

/** A proxy product the bench can put in the request path. */
export interface ProxyKind {
  readonly name: 'haproxy' | 'nginx';
  /** Executable name (looked up on PATH and in the sbin directories). */
  readonly binary: string;
  /** Debian package that provides it. */
  readonly debianPackage: string;
  /** The config file text for one hop (pure). */
  config(hop: HopConfig): string;
  /** Arguments that run the binary in the foreground with the config at `configPath`. */
  args(configPath: string, hop: HopConfig): string[];
  /** Arguments that print the version (to stdout or stderr). */
  readonly versionArgs: readonly string[];
}
