/** How the alerter reaches its SMTP server. */
export interface EmailSettings {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (port 465); false uses STARTTLS when the server offers it. */
  readonly secure: boolean;
  readonly user: string | undefined;
  readonly password: string | undefined;
  /** The From address of every mail. */
  readonly from: string;
  /** Longest wait for the connection, the greeting and each reply. */
  readonly timeoutMs: number;
}
