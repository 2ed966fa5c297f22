import { hello } from "./hello.ts";

console.log(hello());
