import './shared-AbCd1234.js'
const config = { client_secret: "s3cr3tValue123" }
