package lessons

// LoadOverride lets tests load a base curriculum other than the embedded one.
var LoadOverride = loadOverride
