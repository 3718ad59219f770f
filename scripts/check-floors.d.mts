/** Types of check-floors.mjs, for the test that imports it. */
export declare const FLOORS: Record<string, number>;
export declare function floorViolations(root: string): string[];
