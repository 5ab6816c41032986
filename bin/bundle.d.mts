export function bundleFresh(root: string): boolean;
