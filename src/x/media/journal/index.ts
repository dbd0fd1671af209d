export { fileIdentity, IDENTITY_SAMPLE_BYTES } from './file-identity.js';
export { FileJournal, type FileJournalOptions, fileJournal, type JournalWarning } from './file-journal.js';
export { journalKey } from './journal-key.js';
export { MemoryJournal, memoryJournal } from './memory-journal.js';
