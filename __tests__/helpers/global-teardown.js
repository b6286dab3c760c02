const fs = require('fs');
module.exports = async () => {
  if (process.env.CLOUDTRAIL_JEST_TMP) fs.rmSync(process.env.CLOUDTRAIL_JEST_TMP, { recursive: true, force: true });
};
