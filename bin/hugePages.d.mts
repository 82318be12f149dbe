// Types of bin/hugePages.mjs (the launcher is plain JavaScript; its tests are TypeScript).
export declare const HUGETLB_TUNABLE: string;
export declare const THP_MODE_FILE: string;
export interface HostFacts {
  readonly platform: string;
  /** The text of THP_MODE_FILE, or undefined when it cannot be read. */
  readonly thpMode: string | undefined;
  /** The glibc runtime's version, or undefined (musl and others). */
  readonly glibc: () => string | undefined;
}
export declare function wantsHugePages(facts: HostFacts & { readonly command: string | undefined; readonly env: Readonly<Record<string, string | undefined>> }): boolean;
export declare function withHugeTunable(tunables: string | undefined): string;
export declare function hostFacts(): HostFacts;
