// Integration-test global setup: filled in with the Postgres template migration.
export default async function globalSetup(): Promise<void> {}
