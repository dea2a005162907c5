// Integration tests wait on real brokers and databases: give them room, not forever.
jest.setTimeout(60_000);
