import { PageTitle } from '../components/ui.tsx';
import { href } from '../router/routes.ts';

export default function NotFoundPage() {
  return (
    <>
      <PageTitle text="Not found">Page not found</PageTitle>
      <p>
        There is nothing at this address. Go to the <a href={href('dashboard')}>dashboard</a>.
      </p>
    </>
  );
}
