// Served from the classpath by StaticHttpServer; proves scripts load and log to the console.
window.appLoaded = true;
console.log('app.js loaded');
