// each e2e step starts gcm as a process (about a second with tsx); a spec may run several
jest.setTimeout(30_000);
