export default function Page() { return <main>Plateau</main>; }
