const fs = require('fs');
const path = require('path');
// One temp folder per Jest run, so parallel runs in one tree never delete each other's files.
module.exports = async () => {
  const dir = path.join(__dirname, '..', '..', '.tmp', `jest-${process.pid}`);
  fs.mkdirSync(dir, { recursive: true });
  process.env.TMPDIR = dir;
  process.env.CLOUDTRAIL_JEST_TMP = dir;
};
