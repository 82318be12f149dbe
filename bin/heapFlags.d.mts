// Types of bin/heapFlags.mjs (the launcher is plain JavaScript; its tests are TypeScript).
export declare const EXPLORE_HEAP_FLAGS: readonly string[];
export declare function wantsHeapFlags(facts: { readonly command: string | undefined; readonly env: Readonly<Record<string, string | undefined>>; readonly execArgv: readonly string[] }): boolean;
