const fs = require('fs');
const path = require('path');
module.exports = async () => {
  const dir = path.join(__dirname, '..', '..', '.tmp', 'jest');
  fs.mkdirSync(dir, { recursive: true });
  process.env.TMPDIR = dir;
};
