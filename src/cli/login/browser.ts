import open from 'open';

/**
 * Whether to launch a browser for the login URL: not when `XPOST_NO_BROWSER=1`, and not on a Linux or
 * BSD machine without a display (an SSH session), where `open` would fail or start a text browser.
 */
export function canOpenBrowser(env: NodeJS.ProcessEnv = process.env, platform = process.platform): boolean {
  if (env.XPOST_NO_BROWSER === '1' || env.XPOST_NO_BROWSER === 'true') return false;
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** Open `url` in the default browser; a failure only means the user opens it by hand. */
export async function openBrowser(url: string, onFailure: (message: string) => void): Promise<void> {
  try {
    const child = await open(url, { wait: false });
    child.once('error', (error) => onFailure(error.message));
    child.unref();
  } catch (error) {
    onFailure((error as Error).message);
  }
}
