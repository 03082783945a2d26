/** What the run's global setup hands every test file: the PostgreSQL cluster and its template database. */
export interface HostwatchPostgresContext {
  url: string;
  template: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    hostwatchPostgres: HostwatchPostgresContext;
  }
}
