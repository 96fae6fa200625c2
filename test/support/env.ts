// Every test worker: quiet logs, local credentials, a fixed signing secret. Nothing reaches real AWS.
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'local';
process.env.AWS_SECRET_ACCESS_KEY = 'local';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.CONCORD_LOG_LEVEL = process.env.CONCORD_TEST_LOG_LEVEL ?? 'silent';
process.env.CONCORD_SIGNING_SECRET = 'test-signing-secret-0123456789abcdef0123456789';
// Where acknowledgement links point (the functions that sign them require it).
process.env.CONCORD_PUBLIC_BASE_URL = 'http://localhost:3000';
// A client without an explicit endpoint goes nowhere rather than to AWS.
process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
// The tests run the service as `npm start` does: local mode (loopback issuers and push endpoints).
process.env.CONCORD_LOCAL_MODE = 'true';
// Busy partitions spread over two write shards, as a deployed stage spreads them, so every read
// that merges shards (metrics buckets, a day of the audit trail) is exercised; npm start keeps one.
process.env.CONCORD_WRITE_SHARDS = '2';
