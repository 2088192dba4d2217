// Applies the saved theme before first paint (inlined in <head> by the root layout).
export const THEME_KEY = "plateau-theme";
export const THEME_SCRIPT = `try{var t=localStorage.getItem("${THEME_KEY}");if(t==="light"||t==="dark")document.documentElement.dataset.theme=t}catch(e){}`;
