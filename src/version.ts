/** The version printed by --version; kept in its own module so that --version loads nothing else. */
export const VERSION = '0.1.0';
